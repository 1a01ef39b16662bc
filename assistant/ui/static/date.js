// A date picker's value for Python: the date, "" when empty, or "incomplete" when only partly filled in, so that
// Python can say so rather than quietly ask without the filter.
const input = element.querySelector("input");
const sync = () => {
  const value = input.validity.badInput ? "incomplete" : input.value;
  if (props.value !== value) {
    props.value = value;
    trigger("change");
  }
};
input.addEventListener("change", sync);
input.addEventListener("blur", sync);
