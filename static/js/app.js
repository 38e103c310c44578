// Fellowship Manager: starts the NHS.UK frontend components on every page.
//
// base.html loads this file as an ES module:
//   <script type="module" src=".../js/app.js" id="app-js" data-nhsuk-src=".../nhsuk-frontend.min.js">
// The URL of nhsuk-frontend.min.js comes from that data attribute, written by {% static %}, so it is
// the hashed name in production (ManifestStaticFilesStorage does not rewrite import statements).
// No inline script is needed, which keeps the Content-Security-Policy strict.

// Module scripts only run in browsers that NHS.UK frontend supports, so both classes are safe here.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')

const script = document.getElementById('app-js')
const src = script && script.dataset.nhsukSrc

if (src) {
  import(src)
    .then(({ initAll }) => initAll())
    .catch((error) => {
      // The pages work without JavaScript; report and carry on.
      console.error('NHS.UK frontend did not start:', error)
    })
}
