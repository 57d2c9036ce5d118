const express = require("express");
const app = express();
app.get("/", (req, res) => res.json({ token: Boolean(process.env.NOTES_TOKEN) }));
app.listen(process.env.PORT || 3000);
