// Keeps the progress of the reports being built up to date, and reloads the page when one is
// finished so its links appear. Without script the page has a "Check again" link instead.
(function () {
  var items = document.querySelectorAll('[data-progress-url]')
  if (!items.length || !window.fetch) return
  function check () {
    var pending = 0
    var finished = false
    var requests = Array.prototype.map.call(items, function (item) {
      return fetch(item.getAttribute('data-progress-url'), { credentials: 'same-origin' })
        .then(function (response) { return response.json() })
        .then(function (run) {
          if (run.finished) {
            finished = true
          } else {
            pending += 1
            item.textContent = run.state_label + ': ' + run.progress + '% done' +
              (run.stage ? ' (' + run.stage + ')' : '')
          }
        })
    })
    Promise.all(requests).then(function () {
      if (finished) {
        window.location.reload()
      } else if (pending) {
        window.setTimeout(check, 2000)
      }
    })
  }
  window.setTimeout(check, 2000)
})()
