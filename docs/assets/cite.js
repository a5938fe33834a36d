/* policy-reader: paragraph permalinks and cite panels (paper pages).
 * All text is in the HTML, written at build time. The page holds the paper's
 * citation once: a paragraph's panel is built when its Cite is first opened, from
 * the page's <template class="pr-cite-template"> for its kind (written by
 * scripts/policy_reader/site/permalinks/panels.py from partials/cite-panel.html)
 * with the paragraph's permalink and number in place of the template's two
 * placeholders. This script also copies, opens and closes, marks the targeted
 * paragraph and sends a retired fragment to its successor with a notice that the
 * paragraph was removed (docs/permalinks.yml, embedded as #pr-successors). */
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

  /* `text` with the template's placeholders replaced (split/join: no replacement patterns). */
  function filled(text, tokens) {
    for (var i = 0; i < tokens.length; i++) text = text.split(tokens[i][0]).join(tokens[i][1]);
    return text;
  }

  /* Fill every attribute and text node under `node`; BibTeX and RIS (<pre>) only get the URL,
   * as PaperCiter.paragraph does. */
  function fillTree(node, all, urlOnly) {
    if (node.nodeType === 3) { node.data = filled(node.data, all); return; }
    if (node.nodeType !== 1) return;
    for (var i = 0; i < node.attributes.length; i++) {
      node.attributes[i].value = filled(node.attributes[i].value, all);
    }
    var tokens = node.tagName === "PRE" ? urlOnly : all;
    for (var child = node.firstChild; child; child = child.nextSibling) fillTree(child, tokens, urlOnly);
  }

  /* The cite panel of paragraph `block` (p.para or p.takeaway): built from the page's template
   * on first use, right after the paragraph, hidden; null when the page has none. */
  function panelFor(block) {
    if (!block || !block.id) return null;
    var panel = document.getElementById("cite-" + block.id);
    if (panel) return panel;
    var m = /^(p|kt)-(\d+[a-z]*)$/.exec(block.id);
    var link = block.querySelector(".pr-link");
    if (!m || !link) return null;
    var template = document.querySelector('template.pr-cite-template[data-kind="' + (m[1] === "p" ? "para" : "takeaway") + '"]');
    if (!template) return null;
    var locator = [template.getAttribute("data-locator"), m[2]];
    var url = [template.getAttribute("data-url"), link.getAttribute("data-permalink")];
    var copy = template.content.cloneNode(true);
    panel = copy.querySelector(".cite-panel");
    if (!panel) return null;
    /* the number first: a site address may hold the placeholder's digits */
    fillTree(panel, [locator, url], [url]);
    panel.hidden = true;
    block.parentNode.insertBefore(panel, block.nextSibling);
    return panel;
  }
  window.policyReaderCitePanel = panelFor; /* quote.js reads the short note from it */

  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls")) ||
      panelFor(button.closest("p.para, p.takeaway"));
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
      if (!panel) return;
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
