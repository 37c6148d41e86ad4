/* Korea Checkout hosted page: progressive enhancement only; every form works without it. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  // Forms that carry a gateway redirect submit themselves (a <noscript> button otherwise).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });

  var payForm = $("#pay-form");
  if (!payForm) { return; }

  // 할부 only applies to cards: show the select only while "card" is chosen.
  var installment = $("#installment-field");
  function syncMethod() {
    var chosen = payForm.querySelector("input[name=method]:checked");
    document.querySelectorAll(".method").forEach(function (label) {
      label.classList.toggle("method--checked", !!chosen && label.dataset.method === chosen.value);
    });
    if (installment) {
      var isCard = !!chosen && chosen.value === "card";
      installment.hidden = !isCard;
      var select = $("#installmentMonths");
      if (!isCard && select) { select.value = "0"; }
    }
  }
  payForm.addEventListener("change", syncMethod);
  syncMethod();

  // Korean address search (Daum Postcode). Manual entry always stays possible.
  var searchButton = $("#address-search");
  var unavailable = $("#address-unavailable");
  function saveAddress(data) {
    var body = { postalCode: data.postalCode, address: data.address };
    if (data.roadAddress) { body.roadAddress = data.roadAddress; }
    if (data.jibunAddress) { body.jibunAddress = data.jibunAddress; }
    var detail = $("#detailAddress").value.trim();
    if (detail) { body.detailAddress = detail; }
    return fetch(payForm.dataset.addressUrl, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).catch(function () { /* the pay form posts the address again */ });
  }
  if (searchButton) {
    searchButton.addEventListener("click", function () {
      if (!(window.daum && window.daum.Postcode)) {
        unavailable.hidden = false;
        $("#postalCode").focus();
        return;
      }
      new window.daum.Postcode({
        oncomplete: function (data) {
          var road = data.roadAddress || data.address;
          $("#postalCode").value = data.zonecode;
          $("#address").value = road;
          $("#detailAddress").focus();
          saveAddress({
            postalCode: data.zonecode,
            address: road,
            roadAddress: data.roadAddress,
            jibunAddress: data.jibunAddress
          });
        }
      }).open();
    });
  }

  // One payment per click: the button is disabled while the window opens.
  payForm.addEventListener("submit", function () {
    var button = $("#pay-button");
    if (button) { button.disabled = true; button.classList.add("btn--busy"); }
  });

  var cancelForm = $(".cancel-form");
  if (cancelForm) {
    cancelForm.addEventListener("submit", function (event) {
      if (!window.confirm(cancelForm.dataset.confirm)) { event.preventDefault(); }
    });
  }
})();
