// Autosave for the application's step pages, so that nothing typed is lost.
//
// The page marks its form:
//   <form method="post" data-autosave data-saved-at="1767225600000" data-login-url="/accounts/login/?next=...">
// data-saved-at is when the server's copy was last saved (milliseconds since 1970).
//
// - Every 30 seconds, and when the page is hidden or left, a changed form is POSTed to its own URL
//   (fetch, with the form's CSRF token and action=save). The server saves the draft and answers
//   {"saved_at": ms, "saved_time": "HH:MM"}; the page then says "Saved at HH:MM".
// - Until it is saved, what has been typed is also kept in localStorage under the page's path,
//   with the server version it was typed over ("base"). On load, a copy whose base is not older
//   than the server's copy holds changes the server never got: it is put back, and the page says
//   so. Comparing the server's own timestamps avoids trusting the computer's clock.
// - If the session has expired (a redirect to sign in, or 403) the copy is kept and the page
//   offers a link to sign in again; signing in brings the person back here and the copy returns.
// - A successful save clears the copy. Files are never autosaved.
// The page works without this script: its buttons save in the ordinary way.

const INTERVAL_MS = 30 * 1000
const PREFIX = 'fellowship-autosave:'

function storageKey () {
  return PREFIX + window.location.pathname
}

function readCopy () {
  try {
    return JSON.parse(window.localStorage.getItem(storageKey()) || 'null')
  } catch (error) {
    return null
  }
}

function writeCopy (copy) {
  try {
    window.localStorage.setItem(storageKey(), JSON.stringify(copy))
  } catch (error) {
    // Storage full or disabled (private browsing): autosave to the server still works.
  }
}

function clearCopy () {
  try {
    window.localStorage.removeItem(storageKey())
  } catch (error) {}
}

function savedFields (form) {
  return Array.from(form.elements).filter((el) =>
    el.name &&
    !el.disabled &&
    el.name !== 'csrfmiddlewaretoken' &&
    !['file', 'submit', 'button', 'reset', 'password', 'hidden'].includes(el.type) &&
    el.tagName !== 'BUTTON'
  )
}

// The form's values as {name: [values]}, in a stable order.
function snapshot (form) {
  const values = {}
  for (const el of savedFields(form)) {
    if (!(el.name in values)) values[el.name] = []
    if (el.type === 'radio' || el.type === 'checkbox') {
      if (el.checked) values[el.name].push(el.value)
    } else if (el.tagName === 'SELECT' && el.multiple) {
      for (const option of el.selectedOptions) values[el.name].push(option.value)
    } else {
      values[el.name].push(el.value)
    }
  }
  return values
}

function serialise (values) {
  return JSON.stringify(Object.keys(values).sort().map((name) => [name, values[name]]))
}

function restore (form, values) {
  const seen = {}
  for (const el of savedFields(form)) {
    if (!(el.name in values)) continue
    const wanted = values[el.name]
    if (el.type === 'radio' || el.type === 'checkbox') {
      el.checked = wanted.includes(el.value)
    } else if (el.tagName === 'SELECT' && el.multiple) {
      for (const option of el.options) option.selected = wanted.includes(option.value)
    } else {
      const index = seen[el.name] || 0
      seen[el.name] = index + 1
      if (index < wanted.length) el.value = wanted[index]
    }
    // Let other scripts (the word count, conditional radios) catch up.
    el.dispatchEvent(new Event(el.type === 'radio' || el.type === 'checkbox' || el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }))
  }
}

function timeNow (ms) {
  const date = new Date(ms)
  return date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
}

function start (form) {
  const status = document.createElement('div')
  status.className = 'nhsuk-body-s app-autosave-status'
  status.setAttribute('role', 'status')
  status.setAttribute('aria-live', 'polite')
  const buttons = form.querySelector('.nhsuk-button-group')
  form.insertBefore(status, buttons || null)

  function say (text, { link = null, error = false } = {}) {
    status.textContent = ''
    const p = document.createElement('p')
    p.className = error ? 'nhsuk-error-message' : 'nhsuk-body-s'
    p.textContent = text
    if (link) {
      p.append(' ')
      const a = document.createElement('a')
      a.href = link.href
      a.textContent = link.text
      p.append(a)
      p.append('.')
    }
    status.append(p)
  }

  let lastSaved = serialise(snapshot(form)) // what the server has
  let saving = false
  let submitting = false
  let stopped = false

  function changed () {
    return serialise(snapshot(form)) !== lastSaved
  }

  function mirror (force = false) {
    if (force || changed()) {
      writeCopy({ base: Number(form.dataset.savedAt) || 0, editedAt: Date.now(), values: snapshot(form) })
    } else {
      clearCopy()
    }
  }

  function signedOut () {
    stopped = true
    say('You have been signed out, so your latest changes have not been saved. They are kept on this device.', {
      link: { href: form.dataset.loginUrl || '/accounts/login/', text: 'Sign in again to save them' },
      error: true
    })
  }

  async function save ({ leaving = false } = {}) {
    if (saving || submitting || stopped || !changed()) return
    saving = true
    const values = snapshot(form)
    const body = new FormData(form)
    for (const [name, value] of Array.from(body.entries())) {
      if (value instanceof File) body.delete(name)
    }
    body.set('action', 'save')
    const token = form.querySelector('input[name="csrfmiddlewaretoken"]')
    try {
      const response = await fetch(form.getAttribute('action') || window.location.href, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        redirect: 'manual', // a redirect means "sign in first": do not follow it
        keepalive: leaving,
        headers: { Accept: 'application/json', 'X-CSRFToken': token ? token.value : '' }
      })
      if (response.type === 'opaqueredirect' || response.status === 302 || response.status === 401 || response.status === 403) {
        signedOut()
        return
      }
      if (response.status === 409) {
        // The deadline has passed, or the application was submitted from another tab.
        const data = await response.json().catch(() => ({}))
        stopped = true
        say(data.error || 'We could not save your changes.', { error: true })
        return
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const data = await response.json()
      lastSaved = serialise(values)
      form.dataset.savedAt = String(data.saved_at)
      const unsaved = data.unsaved || []
      const time = data.saved_time || timeNow(Date.now())
      if (unsaved.length) {
        // Some answers could not be stored as typed (say, an email address with a typo): keep them here.
        mirror(true)
        say(`Saved at ${time}, apart from: ${unsaved.join(', ')}. Check ${unsaved.length === 1 ? 'this answer' : 'these answers'}, then select Save and continue.`)
        return
      }
      if (serialise(snapshot(form)) === lastSaved) {
        clearCopy()
      } else {
        mirror() // typed more while saving: keep that, over the new server version
      }
      say(`Saved at ${time}`)
    } catch (error) {
      if (!leaving) say('We could not save your changes just now. They are kept on this device and we will try again.', { error: true })
    } finally {
      saving = false
    }
  }

  // Put back what was typed here but never reached the server.
  const copy = readCopy()
  if (copy && copy.values) {
    const serverSavedAt = Number(form.dataset.savedAt) || 0
    const newer = typeof copy.base === 'number' ? copy.base >= serverSavedAt : copy.editedAt > serverSavedAt
    if (newer && serialise(copy.values) !== lastSaved) {
      restore(form, copy.values)
      const when = copy.editedAt ? ` at ${timeNow(copy.editedAt)}` : ''
      say(`We have put back what you typed on this device${when}, which had not been saved. Check it, then save.`)
    } else if (!newer) {
      clearCopy() // the server has a later version
    }
  }

  form.addEventListener('input', () => mirror())
  form.addEventListener('change', () => mirror())
  form.addEventListener('submit', () => {
    submitting = true // the ordinary save; the copy stays until the next page confirms it
  })
  window.setInterval(() => save(), INTERVAL_MS)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') save({ leaving: true })
  })
  window.addEventListener('pagehide', () => save({ leaving: true }))
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) submitting = false // back from the browser cache
  })
}

const form = document.querySelector('form[data-autosave]')
if (form) start(form)
