// A date picker's value for Python: the date, "" when empty, or "incomplete" when only partly filled in, so that
// Python can say so rather than quietly ask without the filter. Listened for on the component, and the input looked
// up at each event: the template may render a new input when the value changes, without this script's listeners.
const sync = () => {
  const input = element.querySelector("input");
  const value = input.validity.badInput ? "incomplete" : input.value;
  if (props.value !== value) {
    props.value = value;
    trigger("change");
  }
};
element.addEventListener("change", sync);
element.addEventListener("focusout", sync);
