import { useState } from 'react';

export default function App() {
  const [result, setResult] = useState('');

  async function order(event) {
    event.preventDefault();
    const item = new FormData(event.target).get('item');
    const response = await fetch(`https://sock-shop-orders-9d.herokuapp.com/api/orders?item=${item}`, {
      method: 'POST',
    });
    const body = await response.json();
    setResult(body.status);
  }

  return (
    <>
      <form id="order" onSubmit={order}>
        <input name="item" defaultValue="socks" />
        <button type="submit">Order</button>
      </form>
      <p id="result">{result}</p>
    </>
  );
}
