// Keeps the progress of work running in the background up to date (an annual report being
// built, a file being checked or imported), and reloads the page when it is finished so its
// result appears. Each element with data-progress-url is updated from that address's JSON: a
// <progress> inside it takes the per cent done, and its [data-progress-text] (or the element
// itself) the words. Without script the page has a "Check again" link instead.
(function () {
  var items = document.querySelectorAll('[data-progress-url]')
  if (!items.length || !window.fetch) return
  function show (item, run) {
    var bar = item.querySelector('progress')
    var words = item.querySelector('[data-progress-text]') || item
    if (bar) bar.value = run.progress
    words.textContent = run.label ||
      (run.state_label + ': ' + run.progress + '% done' + (run.stage ? ' (' + run.stage + ')' : ''))
  }
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
            show(item, run)
          }
        })
    })
    Promise.all(requests).then(function () {
      if (finished) {
        window.location.reload()
      } else if (pending) {
        window.setTimeout(check, 1000)
      }
    })
  }
  window.setTimeout(check, 1000)
})()
