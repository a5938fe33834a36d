/* policy-reader: copy a quote with its pinpoint citation (paper pages).
 * Select words inside one paragraph (or key takeaway): a "Copy quote" button
 * appears under the selection. It copies
 *     “the selected words”
 *     <the paragraph's short note from its cite panel> <permalink>#p-N:~:text=...
 * The selection is widened to whole words. The link carries a text fragment, so
 * the browser scrolls to the quoted words and highlights them (::target-text in
 * cite.css), and cite.js marks the paragraph. */
(function () {
  "use strict";

  var BLOCKS = "p.para, p.takeaway, p.bio";
  var CONTROLS = ".pr-link, .pr-cite, .topic-chips, sup, .pr-quote";
  var button = null;
  var current = null; /* {text, block} of the selection the button would copy */

  function clean(node) {
    node.querySelectorAll(CONTROLS).forEach(function (el) { el.remove(); });
    return node.textContent.replace(/\s+/g, " ");
  }

  function blockText(block) {
    return clean(block.cloneNode(true)).trim();
  }

  function blockOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest(BLOCKS) : null;
  }

  /* The selected words of one block, widened to whole words; null if none. */
  function selectedQuote() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
    var range = sel.getRangeAt(0);
    var block = blockOf(range.startContainer);
    if (!block || block !== blockOf(range.endContainer)) return null;
    var box = document.createElement("div");
    box.appendChild(range.cloneContents());
    var picked = clean(box).trim();
    if (!picked) return null;
    var whole = blockText(block);
    var at = whole.indexOf(picked);
    if (at < 0) return { text: picked, block: block };
    var start = at, end = at + picked.length;
    var word = /[\p{L}\p{N}'’-]/u;
    while (start > 0 && word.test(whole[start - 1]) && word.test(whole[start])) start -= 1;
    while (end < whole.length && word.test(whole[end]) && word.test(whole[end - 1])) end += 1;
    return { text: whole.slice(start, end).trim(), block: block };
  }

  /* A text directive for the quote: the whole quote when short, else its first and
   * last words (text=start,end). '-', ',' and '&' are escaped as the syntax needs. */
  function directive(text) {
    function enc(s) {
      return encodeURIComponent(s).replace(/-/g, "%2D").replace(/,/g, "%2C").replace(/&/g, "%26");
    }
    var words = text.split(" ");
    if (words.length <= 8) return "text=" + enc(text);
    return "text=" + enc(words.slice(0, 4).join(" ")) + "," + enc(words.slice(-4).join(" "));
  }

  function permalink(block) {
    var link = block.querySelector(".pr-link");
    if (link && link.getAttribute("data-permalink")) return link.getAttribute("data-permalink");
    var canonical = document.querySelector('link[rel="canonical"]');
    var base = canonical ? canonical.href : window.location.href.split("#")[0];
    return base + "#" + block.id;
  }

  /* The short note of the paragraph's cite panel (e.g. Chicago's "Author, “Title,”
   * para. 3."); else the page title and the paragraph's label. */
  function note(block) {
    var panel = window.policyReaderCitePanel ? window.policyReaderCitePanel(block) : document.getElementById("cite-" + block.id);
    var style = panel && panel.querySelector(".cite-style");
    var lines = style ? style.querySelectorAll(".cite-line") : [];
    if (lines.length > 1) return lines[lines.length - 1].textContent.trim();
    var label = block.querySelector(".pr-link");
    var title = document.querySelector(".md-content h1");
    return (title ? title.textContent.replace(/¶$/, "").trim() : document.title) +
      (label ? ", " + label.textContent.trim() : "") + ".";
  }

  function quoteText(q) {
    return "\u201c" + q.text + "\u201d\n" + note(q.block) + " " + permalink(q.block) + ":~:" + directive(q.text);
  }

  function copy(text) {  /* cite.js's clipboard helper (loaded before this file) */
    return window.policyReaderCopy(text);
  }


  function ensureButton() {
    if (button) return button;
    button = document.createElement("button");
    button.type = "button";
    button.className = "pr-quote";
    button.textContent = "Copy quote";
    button.hidden = true;
    /* keep the selection when the button is pressed */
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      if (!current) return;
      var label = current.block.querySelector(".pr-link");
      var name = label ? label.textContent.trim() : "the paragraph";
      copy(quoteText(current)).then(function () {
        button.textContent = "Quote copied";
        setTimeout(function () { button.textContent = "Copy quote"; }, 2000);
        var status = document.querySelector(".pr-status");
        if (status) status.textContent = "Quote from " + name + " copied with its citation";
      }, function () { button.textContent = "Could not copy"; });
    });
    document.body.appendChild(button);
    return button;
  }

  function update() {
    var q = selectedQuote();
    if (!q) {
      current = null;
      if (button && document.activeElement !== button) button.hidden = true;
      return;
    }
    current = q;
    var b = ensureButton();
    var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    b.hidden = false;
    var width = b.offsetWidth;
    var left = Math.min(Math.max(8, rect.left + rect.width / 2 - width / 2), document.documentElement.clientWidth - width - 8);
    b.style.left = (left + window.scrollX) + "px";
    b.style.top = (rect.bottom + window.scrollY + 8) + "px";
    b.setAttribute("aria-label", "Copy quote from " + ((q.block.querySelector(".pr-link") || {}).textContent || "this paragraph").trim() + " with its citation");
  }

  var timer = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
})();
