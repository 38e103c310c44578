// Live word count under each text box that has a word limit (data-word-limit="300").
//
// Counts words exactly as the server does (recruitment.models.count_words): runs of characters
// that are not white space, where "white space" is Python's \s for str patterns. JavaScript's \s
// differs from Python's by a few characters (U+001C-U+001F and U+0085 are space to Python only,
// U+FEFF to JavaScript only), so the class is spelt out here rather than written as \S.
//
// The visible count changes as you type; a separate, visually hidden copy is updated only after
// a pause, in an aria-live="polite" region, so screen readers are not interrupted at every key.
// The server enforces the limit at submission; this is only a guide.

const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const WORD = new RegExp(`[^${SPACE}]+`, 'gu')
const ANNOUNCE_AFTER_MS = 1000

export function countWords (text) {
  const matches = (text || '').match(WORD)
  return matches ? matches.length : 0
}

function plural (n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function describe (count, limit) {
  if (count > limit) {
    return `${plural(count, 'word')} of ${limit}: ${plural(count - limit, 'word')} too many`
  }
  return `${plural(count, 'word')} of ${limit}: ${plural(limit - count, 'word')} remaining`
}

function attach (textarea) {
  const limit = parseInt(textarea.dataset.wordLimit, 10)
  if (!limit || textarea.dataset.wordCountReady) return
  textarea.dataset.wordCountReady = 'true'
  const id = textarea.id || `word-count-${Math.random().toString(36).slice(2)}`

  const visible = document.createElement('div')
  visible.className = 'nhsuk-hint app-word-count'
  visible.id = `${id}-word-count`
  visible.setAttribute('aria-hidden', 'true')

  const announced = document.createElement('div')
  announced.className = 'nhsuk-u-visually-hidden'
  announced.id = `${id}-word-count-status`
  announced.setAttribute('aria-live', 'polite')

  textarea.insertAdjacentElement('afterend', announced)
  textarea.insertAdjacentElement('afterend', visible)
  // Read with the field: its hint, then how many words it has.
  const describedBy = (textarea.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
  describedBy.push(announced.id)
  textarea.setAttribute('aria-describedby', describedBy.join(' '))

  const serverMarkedError = textarea.classList.contains('nhsuk-textarea--error')
  let timer = null

  function update (announce) {
    const count = countWords(textarea.value)
    const over = count > limit
    const message = describe(count, limit)
    visible.textContent = message
    visible.classList.toggle('nhsuk-error-message', over)
    visible.classList.toggle('nhsuk-hint', !over)
    if (!serverMarkedError) textarea.classList.toggle('nhsuk-textarea--error', over)
    clearTimeout(timer)
    if (announce) {
      timer = setTimeout(() => { announced.textContent = message }, ANNOUNCE_AFTER_MS)
    } else {
      announced.textContent = message
    }
  }

  textarea.addEventListener('input', () => update(true))
  update(false)
}

export function init (root = document) {
  root.querySelectorAll('textarea[data-word-limit]').forEach(attach)
}

init()
