// Every call goes to the order service that runs as its own Heroku app.
const ORDERS_API = 'https://order-desk-api-7c.herokuapp.com/api';

export async function placeOrder(item: string): Promise<string> {
  const response = await fetch(`${ORDERS_API}/orders?item=${encodeURIComponent(item)}`, {
    method: 'POST',
  });
  const body: { status: string } = await response.json();
  return body.status;
}
