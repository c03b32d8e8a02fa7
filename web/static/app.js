// Progressive enhancement only: without scripts the whole menu shows and every form works.
"use strict";
document.documentElement.classList.add("js");

// A phone shows the menu behind one button.
function menuToggle() {
  const toggle = document.querySelector(".menu-toggle");
  if (!toggle) return;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    document.querySelector(".top").classList.toggle("open", open);
  });
}

// The "form expired" page keeps what was typed for the form's page; once signed in again,
// that page fills its form back in.
const KEY = "typed:";

function keepTyped() {
  const kept = document.getElementById("typed-form");
  if (!kept || !kept.dataset.for) return;
  sessionStorage.setItem(KEY + kept.dataset.for, kept.textContent);
}

function fill(field, values) {
  if (field.type === "checkbox" || field.type === "radio") {
    field.checked = values.includes(field.value);
  } else if (field.type !== "hidden" && field.type !== "file" && field.type !== "password") {
    field.value = values.shift() ?? field.value;
  }
}

function restoreTyped() {
  if (document.getElementById("typed-form")) return;  // the expired page itself
  const key = KEY + location.pathname + location.search;
  const saved = sessionStorage.getItem(key);
  if (!saved) return;
  sessionStorage.removeItem(key);
  const values = new Map();
  for (const [name, value] of JSON.parse(saved)) {
    values.set(name, [...(values.get(name) || []), value]);
  }
  // The form that has the most of the typed fields (a page may also hold a picker form).
  const matches = (f) => [...values.keys()].filter((name) => f.elements.namedItem(name)).length;
  const form = [...document.querySelectorAll("main form")].sort((a, b) => matches(b) - matches(a))[0];
  if (!form || !matches(form)) return;
  for (const field of form.elements) {
    if (field.name && values.has(field.name)) fill(field, values.get(field.name));
  }
  const note = document.createElement("p");
  note.className = "flash warning";
  note.setAttribute("role", "status");
  note.textContent = document.body.dataset.restored;
  form.before(note);
}

// On a phone a wide table reads as one card per row, each value beside its column's name:
// the labels come from the table's own header, so every list gets them. Tables written as
// cards already (labels chosen by hand) are left as they are; without scripts a wide table
// scrolls inside itself.
function tablesAsCards() {
  for (const table of document.querySelectorAll("main table:not(.cards)")) {
    const header = table.querySelector("thead tr:last-child");
    if (!header) continue;
    const names = [];
    for (const cell of header.cells) {
      for (let i = 0; i < cell.colSpan; i++) names.push(cell.textContent.trim());
    }
    for (const row of table.querySelectorAll("tbody tr")) {
      let column = 0;
      for (const cell of row.cells) {
        if (names[column] && !cell.dataset.label) {
          cell.dataset.label = names[column];
          if (cell.childNodes.length > 1) {  // one value beside the label, however it is made
            const value = document.createElement("span");
            value.append(...cell.childNodes);
            cell.append(value);
          }
        }
        column += cell.colSpan;
      }
    }
    table.classList.add("cards");
  }
}

// What cannot be undone asks first: a form (locking an account, a rejection, a merge) or one
// button of it (closing a sitting). One acting on the boxes named in data-confirm-needs asks
// only when one is ticked: with none, the page says so itself and nothing is done.
function confirmations() {
  const asks = (element, form) => {
    const needs = element.dataset.confirmNeeds;
    if (needs && form && !form.querySelector(`input[name="${needs}"]:checked`)) return true;
    return window.confirm(element.dataset.confirm);
  };
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!asks(form, form)) event.preventDefault();
    });
  }
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!asks(button, button.form)) event.preventDefault();
    });
  }
}

// A suggestion picked, or its code or name typed in any capitals, becomes its code, and fills
// the field named in data-fills with its name, unless something was typed there already.
function fillFromSuggestion() {
  const same = (a, b) => a.trim().toLocaleLowerCase("vi") === b.trim().toLocaleLowerCase("vi");
  for (const input of document.querySelectorAll("input[list][data-fills]")) {
    input.addEventListener("change", () => {
      const target = input.form && input.form.elements[input.dataset.fills];
      const option = [...(input.list ? input.list.options : [])].find(
        (o) => same(o.value, input.value) || same(o.label, input.value));
      if (!option) return;
      input.value = option.value;
      if (target && !target.value) target.value = option.label;
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  confirmations();
  fillFromSuggestion();
  tablesAsCards();
  menuToggle();
  keepTyped();
  restoreTyped();
});
