const API = 'http://status-api.herokuapp.com:443/v1';
fetch(API + '/services')
  .then((r) => r.json())
  .then((services) => {
    document.getElementById('services').innerHTML = services.map((s) => `<li>${s}</li>`).join('');
  });
