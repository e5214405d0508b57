// jsforce, unmodified, against a Switchboard org: log in (SOAP), query, create,
// a Bulk API 2.0 load, and a CometD subscription that sees the created record's event.
// Usage: node jsforce_flow.js URL USERNAME PASSWORD   (prints one JSON object)
const jsforce = require("jsforce");

async function main() {
  const [url, username, password] = process.argv.slice(2);
  const conn = new jsforce.Connection({ loginUrl: url, version: "59.0" });
  const out = {};
  const info = await conn.login(username, password);
  out.login = { userId: info.id, organizationId: info.organizationId, instanceUrl: conn.instanceUrl };

  const seen = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no change event within 30 s")), 30000);
    const sub = conn.streaming.topic("/data/AccountChangeEvent").subscribe((message) => {
      const header = message.payload.ChangeEventHeader;
      if (header.changeType === "CREATE" && message.payload.Name && message.payload.Name.startsWith("jsforce streamed")) {
        clearTimeout(timer);
        sub.cancel();
        resolve({ changeType: header.changeType, recordIds: header.recordIds, name: message.payload.Name });
      }
    });
  });
  // Give the subscription its handshake and connect before the write.
  await new Promise((r) => setTimeout(r, 1500));

  const created = await conn.sobject("Account").create({ Name: "jsforce streamed " + Date.now() });
  out.create = created;
  const got = await conn.query(`SELECT Id, Name FROM Account WHERE Id = '${created.id}'`);
  out.query = { totalSize: got.totalSize, name: got.records[0].Name };

  const rows = [];
  for (let i = 0; i < 50; i++) rows.push({ Name: `jsforce bulk ${i}` });
  const results = await conn.bulk2.loadAndWaitForResults({
    object: "Account", operation: "insert", input: rows, pollTimeout: 60000, pollInterval: 500,
  });
  out.bulk = {
    successful: results.successfulResults.length,
    failed: results.failedResults.length,
    unprocessed: results.unprocessedRecords.length,
  };
  const counted = await conn.query("SELECT COUNT() FROM Account WHERE Name LIKE 'jsforce bulk %'");
  out.bulkCount = counted.totalSize;
  out.event = await seen;
  console.log(JSON.stringify(out));
  process.exit(0);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
