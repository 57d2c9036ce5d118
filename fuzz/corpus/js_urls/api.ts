export const API_BASE = "https://dashboard-api.herokuapp.com";

export async function loadStats(): Promise<unknown> {
  const response = await fetch(`${API_BASE}/stats`);
  return response.json();
}
