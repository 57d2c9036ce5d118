const cron = require("node-cron");

cron.schedule("*/5 * * * *", () => {
  console.log("sending reminders");
}, { scheduled: true, timezone: "Etc/UTC" });
