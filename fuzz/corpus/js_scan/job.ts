import nodemailer from "nodemailer";
import pg from "pg";

const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
const mail = nodemailer.createTransport(process.env.SMTP_URL);

await db.connect();
const { rows } = await db.query("select id, item from orders where mailed = false");
for (const row of rows) {
  await mail.sendMail({ to: process.env.ORDERS_INBOX, subject: `Order ${row.id}`, text: row.item });
}
await db.end();
process.exit(0);
