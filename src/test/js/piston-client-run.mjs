// Runs one program through execgate's /api/v2 with the real piston-client (npm, 1.0.2), unchanged:
// it lists the runtimes, then POSTs the execute request with node-fetch's default content type for
// a string body (text/plain). Prints the client's answer as one JSON line; exits 0 only when the
// client got Piston's execute response.
//   node piston-client-run.mjs <server> <language> <version> <code> [stdin]
import piston from 'piston-client';

const [server, language, version, code, stdin] = process.argv.slice(2);
const client = piston({ server });
const runtimes = await client.runtimes();
const result = await client.execute(language, code, { version, stdin, args: ['a', 'b'] });
console.log(JSON.stringify({ runtimes, result }));
process.exit(result && result.run ? 0 : 1);
