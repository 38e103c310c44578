// Keeps the page of a file made in the background up to date, without reloading the page.
//
// The page marks the job: <div id="file-job" data-file-job-state="queued"> with a
// role="status" region inside marked data-file-job-live, and loads this file (as a module from
// our own origin, so the Content-Security-Policy needs no inline script) only while the job is
// queued or being made. Every 2 seconds it fetches the page again; when the job's state has
// changed it puts in the new content (the download link, or the reason and "Try again"), keeping
// the live region so that screen readers announce the change. Without JavaScript the page has a
// "Refresh" link instead.

const INTERVAL_MS = 2000
const MAX_ERRORS = 5
const ACTIVE = ['queued', 'rendering']
const root = document.getElementById('file-job')

function show (fresh) {
  const live = root.querySelector('[data-file-job-live]')
  const freshLive = fresh.querySelector('[data-file-job-live]')
  if (live && freshLive) {
    const text = freshLive.innerHTML
    freshLive.replaceWith(live) // keep the region the screen reader is already watching
    root.replaceChildren(...fresh.childNodes)
    live.innerHTML = text
  } else {
    root.replaceChildren(...fresh.childNodes)
  }
  root.dataset.fileJobState = fresh.dataset.fileJobState
}

async function poll (errors) {
  try {
    const response = await fetch(window.location.href, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'text/html' }
    })
    if (!response.ok) throw new Error('page ' + response.status)
    const page = new DOMParser().parseFromString(await response.text(), 'text/html')
    const fresh = page.getElementById('file-job')
    if (!fresh) throw new Error('no job on the page')
    if (fresh.dataset.fileJobState !== root.dataset.fileJobState) show(fresh)
    if (ACTIVE.includes(root.dataset.fileJobState)) window.setTimeout(() => poll(0), INTERVAL_MS)
  } catch (error) {
    // A signed-out session or a network problem: try a few more times, then leave the Refresh link.
    console.error('File status not read:', error)
    if (errors + 1 < MAX_ERRORS) window.setTimeout(() => poll(errors + 1), INTERVAL_MS * (errors + 2))
  }
}

if (root && ACTIVE.includes(root.dataset.fileJobState)) {
  window.setTimeout(() => poll(0), INTERVAL_MS)
}
