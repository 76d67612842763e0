// Sorts a bulletin's tables by a click on a column header: numbers (cells with data-sort) by value, text by
// the Chinese collation. The table reads the same without this script; a second click reverses the order.
// For printing the headers become plain text again: Chromium repeats a table's header row on every page it
// continues on only when the row holds no buttons.
"use strict";
(function () {
  const collator = new Intl.Collator("zh-CN", { numeric: true });
  const headers = [];

  function sortKey(cell) {
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? Number(cell.getAttribute("data-sort")) : cell.textContent.trim();
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return collator.compare(a, b);
  }

  function sortBy(table, column, header) {
    const body = table.tBodies[0];
    const descending = header.getAttribute("aria-sort") === "ascending";
    for (const other of table.tHead.rows[table.tHead.rows.length - 1].cells) other.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    const rows = Array.from(body.rows).map((row, index) => ({ row, index, key: sortKey(row.cells[column]) }));
    rows.sort((x, y) => (descending ? -1 : 1) * compare(x.key, y.key) || x.index - y.index);
    for (const { row } of rows) body.appendChild(row);
  }

  function addButtons() {
    for (const { table, header, column } of headers) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.textContent = header.textContent;
      button.title = "按此列排序";
      header.textContent = "";
      header.appendChild(button);
      button.addEventListener("click", () => sortBy(table, column, header));
    }
  }

  function removeButtons() {
    for (const { header } of headers) header.textContent = header.textContent;
  }

  for (const table of document.querySelectorAll("table.data-table")) {
    if (!table.tHead || table.tHead.rows.length === 0 || !table.tBodies[0] || table.tBodies[0].rows.length < 2) continue;
    const headerRow = table.tHead.rows[table.tHead.rows.length - 1];
    Array.from(headerRow.cells).forEach((header, column) => headers.push({ table, header, column }));
  }
  addButtons();
  window.addEventListener("beforeprint", removeButtons);
  window.addEventListener("afterprint", addButtons);
})();
