import express from "express";
import pg from "pg";

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  ssl: { rejectUnauthorized: false },
});

const app = express();
app.use((req, res, next) => {
  res.set("Access-Control-Allow-Origin", process.env.FRONTEND_URL ?? "*");
  next();
});
app.post("/api/orders", async (req, res) => {
  const item = String(req.query.item);
  await pool.query("insert into orders (item) values ($1)", [item]);
  res.json({ status: "ok" });
});
app.listen(Number(process.env.PORT ?? 3000));
