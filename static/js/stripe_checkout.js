// The Stripe payment page: a card Element of Stripe.js, and confirmCardPayment with the PaymentIntent's client
// secret. Stripe tells the platform through its signed webhook; the order page then shows the order confirmed
// (it waits for that), so on success the customer goes there.
const form = document.getElementById("stripe-pay");

function showError(message) {
  const box = document.getElementById("card-errors");
  box.textContent = message;
  box.hidden = !message;
}

if (form && typeof window.Stripe === "function") {
  const stripe = window.Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  card.on("change", (event) => showError(event && event.error ? event.error.message : ""));
  const button = document.getElementById("pay-button");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    showError("");
    const result = await stripe.confirmCardPayment(form.dataset.clientSecret, {
      payment_method: { card, billing_details: { name: form.elements.name.value } },
    });
    if (result.error) {
      showError(result.error.message || "The payment did not go through. Please try again.");
      button.disabled = false;
      return;
    }
    window.location.assign(form.dataset.returnUrl);
  });
} else if (form) {
  showError("Stripe could not be loaded. Check your connection (or an ad blocker) and reload the page.");
}
