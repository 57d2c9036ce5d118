const API = 'https://pantry-api-2b.herokuapp.com/api';

const form = document.getElementById('order');
const result = document.getElementById('result');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const item = new FormData(form).get('item');
  const response = await fetch(`${API}/orders?item=${item}`, { method: 'POST' });
  const body = await response.json();
  result.textContent = body.status;
});
