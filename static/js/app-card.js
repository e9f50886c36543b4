// The printable app card (templates/portal/card_print.html): the print button.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
