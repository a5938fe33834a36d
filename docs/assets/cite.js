/* policy-reader: paragraph permalinks and cite panels (paper pages).
 * All text is in the HTML, written at build time; this script only copies,
 * opens and closes, marks the targeted paragraph and sends a retired fragment
 * to its successor with a notice that the paragraph was removed (docs/permalinks.yml,
 * embedded as #pr-successors). */
(function () {
  "use strict";

  var status = null;
  function announce(message) {
    if (!status) {
      status = document.createElement("div");
      status.className = "pr-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.appendChild(status);
    }
    status.textContent = message;
    status.classList.add("pr-status--visible");
    clearTimeout(announce.timer);
    announce.timer = setTimeout(function () { status.classList.remove("pr-status--visible"); }, 2500);
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      (ok ? resolve : reject)();
    });
  }  window.policyReaderCopy = copy;  /* quote.js copies through the same helper */


  /* ---- the targeted paragraph ---- */
  function successors() {
    var data = document.getElementById("pr-successors");
    if (!data) return null;
    try { return JSON.parse(data.textContent); } catch (e) { return {}; }
  }

  function noticeElement(before) {
    var notice = document.getElementById("pr-notice");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "pr-notice";
      notice.className = "pr-notice";
      notice.setAttribute("role", "status");
    }
    before.parentNode.insertBefore(notice, before);
    return notice;
  }

  function showNotice(fragment) {
    var article = document.querySelector("article.md-content__inner") || document.body;
    var notice = noticeElement(article.firstChild);
    notice.classList.remove("pr-notice--removed");
    notice.textContent = "The link pointed to \u201c#" + fragment +
      "\u201d, which is not on this page; showing the top of the page instead.";
  }

  /* A paragraph's label from its id, as the page shows it: p-11a -> "¶ 11a", kt-2 -> "KT 2". */
  function labelOf(id) {
    var m = /^(p|kt)-(\d+[a-z]*)$/.exec(id);
    if (!m) return "#" + id;
    return (m[1] === "p" ? "\u00b6\u00a0" : "KT\u00a0") + m[2];
  }

  /* A removed paragraph: say so right above the paragraph its link now opens. */
  function showRemoved(oldId, target) {
    var notice = noticeElement(target);
    notice.classList.add("pr-notice--removed");
    var link = document.createElement("a");
    link.href = "#" + target.id;
    link.textContent = labelOf(target.id);
    notice.textContent = "This paragraph (" + labelOf(oldId) + ") was removed; the nearest is ";
    notice.appendChild(link);
    notice.appendChild(document.createTextNode("."));
    return notice;
  }

  function markTarget() {
    var map = successors();
    if (map === null) return; /* not a paper page */
    var hash = window.location.hash.slice(1);
    var old = document.querySelector(".pr-target");
    if (old) old.classList.remove("pr-target");
    if (!hash || hash.indexOf("__") === 0) return;
    var id;
    try { id = decodeURIComponent(hash); } catch (e) { id = hash; }
    var removed = null;
    if (Object.prototype.hasOwnProperty.call(map, id)) {
      removed = id;
      id = map[id];
    }
    var el = document.getElementById(id);
    var notice = document.getElementById("pr-notice");
    if (!el) {
      window.scrollTo(0, 0);
      showNotice(removed || id);
      return;
    }
    if (notice) notice.remove();
    if (el.matches("p.para, p.takeaway, p.bio")) el.classList.add("pr-target");
    if (removed) {
      /* keep the old fragment in the address bar: the notice explains it, a reload shows it again */
      showRemoved(removed, el).scrollIntoView({ block: "start" });
    } else {
      el.scrollIntoView({ block: "start" });
    }
  }

  /* ---- cite panels ---- */
  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function closePanel(panel, returnFocus) {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    var button = document.querySelector('.pr-cite[aria-controls="' + panel.id + '"]');
    if (button) {
      button.setAttribute("aria-expanded", "false");
      if (returnFocus) button.focus();
    }
  }

  function openPanel(button) {
    document.querySelectorAll(".cite-panel:not([hidden])").forEach(function (p) { closePanel(p, false); });
    var panel = panelOf(button);
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    var first = panel.querySelector(".cite-copy");
    if (first) first.focus({ preventScroll: true });
    /* the whole panel in view (it is at most one screen tall, cite.css) */
    panel.scrollIntoView({ block: "nearest" });
  }

  function citationText(block) {
    var lines = [];
    block.querySelectorAll(".cite-line").forEach(function (line) { lines.push(line.textContent); });
    return lines.join("\n");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".pr-link");
    if (link) {
      var name = link.getAttribute("aria-label").replace(/: copy link$/, "");
      copy(link.getAttribute("data-permalink")).then(
        function () { announce("Link to " + name + " copied"); },
        function () { announce("Could not copy; the link is in the address bar"); }
      );
      return; /* the browser follows the fragment as usual */
    }
    var cite = event.target.closest(".pr-cite");
    if (cite) {
      var panel = panelOf(cite);
      if (panel.hidden) openPanel(cite); else closePanel(panel, true);
      return;
    }
    var close = event.target.closest(".cite-close");
    if (close) {
      closePanel(close.closest(".cite-panel"), true);
      return;
    }
    var button = event.target.closest(".cite-copy");
    if (button) {
      var block = button.closest(".cite-style");
      copy(citationText(block)).then(function () {
        button.textContent = "Copied";
        announce(button.getAttribute("aria-label").replace(/^Copy /, "") + " copied");
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () { announce("Could not copy; select the text instead"); });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var panel = event.target.closest && event.target.closest(".cite-panel");
    if (!panel) panel = document.querySelector(".cite-panel:not([hidden])");
    if (panel && !panel.hidden) {
      event.preventDefault();
      closePanel(panel, true);
    }
  });

  window.addEventListener("hashchange", markTarget);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markTarget);
  } else {
    markTarget();
  }
})();
