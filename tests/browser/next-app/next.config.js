/** The pages are exported as static files, into build/. */
module.exports = {
  output: 'export',
  distDir: 'build',
};
