// policy-reader: keyboard access to Material's light/dark toggle.
// The toggle is a group of radio inputs; Tab lands on the checked one, labelled
// "Switch to dark mode", where Space and Enter do nothing. Make them switch.
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== "__palette") return;
  if (event.key !== " " && event.key !== "Enter") return;
  var options = Array.prototype.slice.call(document.querySelectorAll('input[name="__palette"]'));
  var next = options[(options.indexOf(input) + 1) % options.length];
  if (!next || next === input) return;
  event.preventDefault();
  next.click();
  next.focus();
});
