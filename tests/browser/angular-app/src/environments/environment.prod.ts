export const environment = { apiUrl: 'https://orders-ng-api-5.herokuapp.com/api' };
