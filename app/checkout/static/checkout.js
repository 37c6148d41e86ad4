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

  // Korean address search (Kakao's Daum Postcode; `kakao.Postcode` since 2026, `daum.Postcode`
  // before). Manual entry always stays possible. The pay form carries the chosen address.
  var searchButton = $("#address-search");
  var unavailable = $("#address-unavailable");
  var searched = [$("#roadAddress"), $("#jibunAddress")];
  function postcodeApi() {
    if (window.kakao && window.kakao.Postcode) { return window.kakao.Postcode; }
    if (window.daum && window.daum.Postcode) { return window.daum.Postcode; }
    return null;
  }
  // Typing over a searched address makes its road and lot-number forms stale.
  ["#postalCode", "#address"].forEach(function (selector) {
    var input = $(selector);
    if (input) {
      input.addEventListener("input", function () {
        searched.forEach(function (field) { if (field) { field.value = ""; } });
      });
    }
  });
  if (searchButton) {
    searchButton.addEventListener("click", function () {
      var Postcode = postcodeApi();
      if (!Postcode) {
        unavailable.hidden = false;
        $("#postalCode").focus();
        return;
      }
      new Postcode({
        oncomplete: function (data) {
          $("#postalCode").value = data.zonecode;
          $("#address").value = data.roadAddress || data.address;
          $("#roadAddress").value = data.roadAddress || "";
          $("#jibunAddress").value = data.jibunAddress || "";
          $("#detailAddress").focus();
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
