/* policy-reader: filters on /papers/ (author, publisher, year, topic).
 * The page lists every paper with its facet values as data attributes
 * (scripts/policy_reader/site/library.py); the form is hidden until this script
 * shows it, so without JavaScript the complete list stays readable. The choice is
 * kept in the address (?author=...&year=...) so a filtered list can be shared. */
(function () {
  "use strict";

  function values(card, facet) {
    if (facet === "publisher") return [card.getAttribute("data-publisher")];
    if (facet === "year") return [card.getAttribute("data-year")];
    var raw = card.getAttribute(facet === "author" ? "data-authors" : "data-topics");
    try { return JSON.parse(raw) || []; } catch (e) { return []; }
  }

  function setup(form) {
    var list = form.parentNode.querySelector("ul.papers");
    var count = form.parentNode.querySelector("[data-facet-count]");
    if (!list) return;
    var cards = Array.prototype.slice.call(list.querySelectorAll("li.paper-card"));
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
    var total = cards.length;

    function apply(updateAddress) {
      var chosen = {};
      selects.forEach(function (s) { if (s.value) chosen[s.name] = s.value; });
      var shown = 0;
      cards.forEach(function (card) {
        var ok = Object.keys(chosen).every(function (facet) {
          return values(card, facet).indexOf(chosen[facet]) !== -1;
        });
        card.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) {
        count.textContent = shown === total
          ? total + (total === 1 ? " paper" : " papers")
          : shown + " of " + total + " papers";
      }
      if (updateAddress) {
        var params = new URLSearchParams();
        selects.forEach(function (s) { if (s.value) params.set(s.name, s.value); });
        var query = params.toString();
        history.replaceState(history.state, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
      }
    }

    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (s) {
      var wanted = params.get(s.name);
      if (wanted !== null && Array.prototype.some.call(s.options, function (o) { return o.value === wanted; })) {
        s.value = wanted;
      }
      s.addEventListener("change", function () { apply(true); });
    });
    form.addEventListener("reset", function () {
      setTimeout(function () { apply(true); }, 0); /* after the browser has reset the selects */
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply(false);
  }

  function init() {
    document.querySelectorAll("form[data-facets]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
