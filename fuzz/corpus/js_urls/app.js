const API_URL = "https://shop-backend-4f2a.herokuapp.com/api";

document.getElementById("order").addEventListener("submit", async (event) => {
  event.preventDefault();
  const item = new FormData(event.target).get("item");
  const response = await fetch(`https://shop-backend-4f2a.herokuapp.com/api/orders?item=${item}`, {
    method: "POST",
  });
  const body = await response.json();
  document.getElementById("result").textContent = `${API_URL}: ${body.status}`;
});
