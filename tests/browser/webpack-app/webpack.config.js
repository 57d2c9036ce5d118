const path = require('path');
const HtmlWebpackPlugin = require('html-webpack-plugin');

// The site is written to public/, which http-server served on Heroku.
module.exports = {
  entry: './src/app.js',
  output: {
    path: path.resolve(__dirname, 'public'),
    filename: 'bundle.[contenthash].js',
    clean: true,
  },
  plugins: [
    new HtmlWebpackPlugin({ template: './src/index.html' }),
  ],
};
