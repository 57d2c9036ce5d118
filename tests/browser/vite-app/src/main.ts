import { placeOrder } from './api';

const form = document.querySelector<HTMLFormElement>('#order')!;
const result = document.querySelector<HTMLParagraphElement>('#result')!;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const item = String(new FormData(form).get('item') ?? '');
  result.textContent = await placeOrder(item);
});
