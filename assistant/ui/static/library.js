// The library table: search and sort in the page (no round trip per key), select rows, delete the selected ones.
const search = element.querySelector("input.library-search");
const count = element.querySelector(".library-count");
const remove = element.querySelector("button.delete-selected");
let sortKey = null;
let ascending = true;

const rows = () => [...element.querySelectorAll("tbody tr")];

function picked() {
  const ids = [...element.querySelectorAll("tbody tr:not([hidden]) input.pick:checked")].map((box) => box.value);
  remove.disabled = ids.length === 0;
  remove.textContent = ids.length ? `Delete ${ids.length} selected` : "Delete selected";
  return ids;
}

function sort() {
  const body = element.querySelector("tbody");
  if (!body || !sortKey) return;
  const numeric = sortKey === "chunks";
  const sorted = rows().sort((a, b) => {
    const x = a.dataset[sortKey];
    const y = b.dataset[sortKey];
    const order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
    return ascending ? order : -order;
  });
  body.append(...sorted);
  element.querySelectorAll("th").forEach((th) => th.removeAttribute("aria-sort"));
  const header = element.querySelector(`button.sort[data-key="${sortKey}"]`);
  if (header) header.closest("th").setAttribute("aria-sort", ascending ? "ascending" : "descending");
}

function filter() {
  const query = search.value.trim().toLowerCase();
  const all = rows();
  let shown = 0;
  for (const row of all) {
    row.hidden = query !== "" && !row.dataset.search.includes(query);
    if (!row.hidden) shown += 1;
  }
  const total = `${all.length} article${all.length === 1 ? "" : "s"}`;
  count.textContent = query ? `${shown} of ${total} match` : total;
  picked();
}

element.addEventListener("input", (event) => {
  if (event.target === search) filter();
});
element.addEventListener("change", (event) => {
  if (event.target.matches("input.pick-all")) {
    rows()
      .filter((row) => !row.hidden)
      .forEach((row) => (row.querySelector("input.pick").checked = event.target.checked));
  }
  picked();
});
element.addEventListener("click", (event) => {
  const header = event.target.closest("button.sort");
  if (header) {
    const key = header.dataset.key;
    // A first click sorts text A to Z, dates and counts largest first; the next click turns it round.
    ascending = key === sortKey ? !ascending : !["date", "chunks"].includes(key);
    sortKey = key;
    sort();
    return;
  }
  if (event.target.closest("button.delete-selected")) {
    const ids = picked();
    const what = ids.length === 1 ? "this article" : `these ${ids.length} articles`;
    if (ids.length && confirm(`Delete ${what} from the library? Answers that cite them keep their quotes.`)) {
      trigger("delete_articles", { ids });
    }
  }
});
// A new table reuses the old rows' elements, and a ticked box would stay ticked on another article: start clean.
watch("value", () => {
  element.querySelectorAll("input.pick, input.pick-all").forEach((box) => (box.checked = false));
  sort();
  filter();
});
filter();
