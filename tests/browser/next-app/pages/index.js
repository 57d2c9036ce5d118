import { useEffect, useState } from 'react';

export default function Home() {
  // The exported HTML has the form before React hydrates it: the button stays disabled
  // until then, so a click never submits the form natively.
  const [ready, setReady] = useState(false);
  const [result, setResult] = useState('');
  useEffect(() => setReady(true), []);

  async function order(event) {
    event.preventDefault();
    const item = new FormData(event.target).get('item');
    const response = await fetch('https://order-pages-api.herokuapp.com/api/orders?item=' + item, {
      method: 'POST',
    });
    const body = await response.json();
    setResult(body.status);
  }

  return (
    <main>
      <form id="order" onSubmit={order}>
        <input name="item" defaultValue="socks" />
        <button type="submit" disabled={!ready}>Order</button>
      </form>
      <p id="result">{result}</p>
    </main>
  );
}
