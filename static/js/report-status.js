// Keeps a report job's page up to date while the report is prepared, without reloading the page.
//
// The detail page marks its job:
//   <div id="report-job" data-report-status-url="/reports/7/status/" data-report-state="queued">
// and loads this file (as a module, from our own origin, so the Content-Security-Policy needs no
// inline script) only while the job is queued or rendering. Every 2 seconds it reads the JSON
// status ({state, state_label, progress, step, failure_reason, downloads}) and updates the tag,
// the <progress> bar and the aria-live="polite" message. When the job is done or has failed it
// fetches the page once more and puts in the finished parts (download links, the data the report
// was built from, or the reason it failed), keeping the live region so the change is announced.
// Without JavaScript the page has a "Refresh" link instead.

const INTERVAL_MS = 2000
const MAX_ERRORS = 5
const TAG_CLASSES = {
  queued: 'nhsuk-tag--grey',
  rendering: 'nhsuk-tag--blue',
  done: 'nhsuk-tag--green',
  failed: 'nhsuk-tag--red'
}

const root = document.getElementById('report-job')

function message (status) {
  if (status.state === 'queued') return 'Your report is waiting to be prepared.'
  if (status.state === 'rendering') {
    return (status.step || 'Preparing the report') + ' (' + status.progress + '% done).'
  }
  return ''
}

function showProgress (status) {
  const tag = root.querySelector('[data-report-state-tag]')
  if (tag) {
    tag.textContent = status.state_label
    Object.values(TAG_CLASSES).forEach((name) => tag.classList.remove(name))
    tag.classList.add(TAG_CLASSES[status.state] || 'nhsuk-tag--grey')
  }
  const bar = root.querySelector('[data-report-progress]')
  if (bar) {
    bar.value = status.progress
    bar.textContent = status.progress + '%'
  }
  const live = root.querySelector('[data-report-live]')
  const text = message(status)
  // Only when it changes, so that screen readers are not told the same thing every 2 seconds.
  if (live && text && live.textContent.trim() !== text) {
    live.replaceChildren(Object.assign(document.createElement('p'), { textContent: text }))
  }
  root.dataset.reportState = status.state
}

async function showFinished () {
  const response = await fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
  if (!response.ok) throw new Error('page ' + response.status)
  const page = new DOMParser().parseFromString(await response.text(), 'text/html')
  const fresh = page.getElementById('report-job')
  if (!fresh) throw new Error('no report on the page')
  const live = root.querySelector('[data-report-live]')
  const freshLive = fresh.querySelector('[data-report-live]')
  if (live && freshLive) {
    freshLive.replaceWith(live) // keep the live region the screen reader is already watching
    root.replaceChildren(...fresh.childNodes)
    live.innerHTML = freshLive.innerHTML
  } else {
    root.replaceChildren(...fresh.childNodes)
  }
  root.dataset.reportState = fresh.dataset.reportState
}

async function poll (errors) {
  try {
    const response = await fetch(root.dataset.reportStatusUrl, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    })
    if (!response.ok) throw new Error('status ' + response.status)
    const status = await response.json()
    if (status.active) {
      showProgress(status)
      window.setTimeout(() => poll(0), INTERVAL_MS)
    } else {
      await showFinished()
    }
  } catch (error) {
    // A signed-out session or a network problem: try a few more times, then leave the Refresh link.
    console.error('Report status not read:', error)
    if (errors + 1 < MAX_ERRORS) window.setTimeout(() => poll(errors + 1), INTERVAL_MS * (errors + 2))
  }
}

if (root && root.dataset.reportStatusUrl && ['queued', 'rendering'].includes(root.dataset.reportState)) {
  window.setTimeout(() => poll(0), INTERVAL_MS)
}
