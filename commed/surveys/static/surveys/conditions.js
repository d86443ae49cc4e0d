// Conditional questions on the answering page: a question with data-shown-if (the controlling question's field
// name) and data-shown-values (a JSON list of the answers that show it) is hidden while none of those answers is
// chosen, and its inputs are disabled so nothing is posted for it. Without this script every question stays
// visible with a note saying when to answer it, and the server ignores answers to hidden ones (surveys/logic.py).
(function () {
  "use strict";
  var form = document.querySelector("form[data-conditions]");
  if (!form) { return; }
  var status = document.getElementById("conditions-status");
  var questions = Array.prototype.map.call(form.querySelectorAll("[data-shown-if]"), function (element) {
    var values;
    try { values = JSON.parse(element.dataset.shownValues || "[]"); } catch (error) { values = []; }
    return { element: element, controller: element.dataset.shownIf, values: values.map(String) };
  });
  if (!questions.length) { return; }

  // The answers chosen for a field; a disabled (hidden) question has none, so its own dependents hide too.
  function chosen(name) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.name !== name || control.disabled) { return; }
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) { values.push(control.value); }
      } else if (control.tagName === "SELECT") {
        Array.prototype.forEach.call(control.selectedOptions, function (option) { values.push(option.value); });
      } else if (control.value) {
        values.push(control.value);
      }
    });
    return values;
  }

  function setShown(question, shown) {
    question.element.hidden = !shown;
    Array.prototype.forEach.call(question.element.querySelectorAll("input, select, textarea"), function (control) {
      control.disabled = !shown;
    });
  }

  // Questions are in questionnaire order and a condition names an earlier question, so one pass settles chains.
  function update(announce) {
    var news = [];
    questions.forEach(function (question) {
      var shown = chosen(question.controller).some(function (value) { return question.values.indexOf(value) !== -1; });
      if (shown === !question.element.hidden) { return; }
      setShown(question, shown);
      var number = question.element.dataset.questionNumber;
      news.push(shown ? "Question " + number + " now applies: " + question.element.dataset.questionText
                      : "Question " + number + " no longer applies and is hidden.");
    });
    if (announce && status && news.length) { status.textContent = news.join(" "); }
  }

  update(false);
  form.addEventListener("change", function () { update(true); });
}());
