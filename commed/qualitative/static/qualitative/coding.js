// Coding by selection: turns the selected text of #text into code-point offsets for the coding form.
// Each span in #text carries data-offset, the code-point offset of its first character in the document.
(function () {
  "use strict";
  var container = document.getElementById("text");
  var startInput = document.getElementById("coding-start");
  var endInput = document.getElementById("coding-end");
  var preview = document.getElementById("selection-preview");
  if (!container || !startInput || !endInput) { return; }
  var length = Number(container.dataset.length);

  function codePoints(text) { return Array.from(text).length; }

  function offsetOf(node, offset) {
    if (!container.contains(node)) { return null; }
    if (node.nodeType === Node.TEXT_NODE) {
      var span = node.parentElement.closest("[data-offset]");
      if (!span) { return null; }
      return Number(span.dataset.offset) + codePoints(node.data.slice(0, offset));
    }
    var spans = node === container ? container.children : null;
    if (spans) {
      if (offset >= spans.length) { return length; }
      return Number(spans[offset].dataset.offset);
    }
    var inner = node.closest("[data-offset]");
    return inner ? Number(inner.dataset.offset) + (offset > 0 ? codePoints(inner.textContent) : 0) : null;
  }

  function update() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) { return; }
    startInput.value = String(start);
    endInput.value = String(end);
    if (preview) {
      var text = selection.toString();
      preview.textContent = "Selected (" + start + "–" + end + "): " + (text.length > 200 ? text.slice(0, 200) + "…" : text);
    }
  }

  document.addEventListener("selectionchange", update);
  container.addEventListener("mouseup", update);
  container.addEventListener("keyup", update);
})();
