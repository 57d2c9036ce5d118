const { defineConfig } = require('@vue/cli-service');

// The board is published from site/, which the Heroku web process served.
module.exports = defineConfig({
  outputDir: 'site',
  productionSourceMap: false,
});
