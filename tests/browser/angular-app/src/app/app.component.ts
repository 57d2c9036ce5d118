import { Component, signal } from '@angular/core';
import { environment } from '../environments/environment';

@Component({
  selector: 'app-root',
  standalone: true,
  template: `
    <form id="order" (submit)="order($event)">
      <input name="item" value="socks">
      <button type="submit">Order</button>
    </form>
    <p id="result">{{ result() }}</p>
  `,
})
export class AppComponent {
  result = signal('');

  async order(event: Event) {
    event.preventDefault();
    const item = new FormData(event.target as HTMLFormElement).get('item');
    const response = await fetch(`${environment.apiUrl}/orders?item=${item}`, { method: 'POST' });
    const body = await response.json();
    this.result.set(body.status);
  }
}
