// Drives execgate's /mcp with the official MCP TypeScript SDK (used by McpIT).
// node mcp-client-run.mjs <basic|cancel|swarm|stdio> <gateway url> <api key> [agents | java jar]
// Prints one JSON line: what the client saw.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [scenario, url, key, agents, jar] = process.argv.slice(2);

function connect() {
  const client = new Client({ name: 'execgate-it', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url + '/mcp'),
    { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  return { client, transport };
}

async function basic() {
  const { client, transport } = connect();
  await client.connect(transport);
  const out = { sessionId: transport.sessionId, protocolVersion: transport.protocolVersion,
    server: client.getServerVersion(), instructions: client.getInstructions() };
  out.tools = (await client.listTools()).tools;
  out.runtimes = await client.callTool({ name: 'list_runtimes', arguments: {} });
  out.sh = await client.callTool({ name: 'run_code',
    arguments: { language: 'sh', code: 'echo hi; echo oops >&2; exit 3' } });
  out.python = await client.callTool({ name: 'run_code', arguments: { language: 'python',
    code: 'import sys\nprint(sum(range(10)), sys.argv[1:], input())', args: ['a'], stdin: 'from stdin\n' } },
    undefined, { timeout: 60000 });
  out.unknown = await client.callTool({ name: 'run_code', arguments: { language: 'cobol', code: 'x' } });
  out.badArgument = await client.callTool({ name: 'run_code', arguments: { language: 'sh', code: 'x', image: 'a' } });
  const progress = [];
  const started = Date.now();
  out.live = await client.callTool({ name: 'run_code',
    arguments: { language: 'sh', code: 'for i in 1 2 3; do echo line$i; sleep 0.4; done' } },
    undefined, { onprogress: p => progress.push({ ...p, at: Date.now() - started }), timeout: 60000 });
  out.liveEndedAt = Date.now() - started;
  out.progress = progress;
  await transport.terminateSession();
  await client.close();
  return out;
}

async function cancel() {
  const { client, transport } = connect();
  await client.connect(transport);
  const ac = new AbortController();
  const out = {};
  const started = Date.now();
  try {
    // the first live output proves the container runs; the client cancels then
    await client.callTool({ name: 'run_code', arguments: { language: 'sh', code: 'echo started; sleep 60' } },
      undefined, { signal: ac.signal, timeout: 120000, onprogress: p => {
        out.progress = p.message;
        ac.abort('the test cancels');
      } });
    out.result = 'completed';
  } catch (e) {
    out.error = String(e);
  }
  out.cancelledAfterMs = Date.now() - started;
  await client.ping();
  out.pingAfterCancel = true;
  // the gateway has cancelled the execution; give it time to remove the container, then end
  out.sessionId = transport.sessionId;
  await transport.terminateSession();
  await client.close();
  return out;
}

async function swarm(n) {
  const started = Date.now();
  const results = await Promise.all([...Array(n)].map(async (_, i) => {
    const { client, transport } = connect();
    try {
      await client.connect(transport);
      const r = await client.callTool({ name: 'run_code', arguments: { language: 'sh', code: `echo agent${i}` } },
        undefined, { timeout: 90000 });
      await transport.terminateSession();
      await client.close();
      const text = r.content[0].text;
      return r.isError ? { i, kind: 'toolError', text, code: r.structuredContent?.error?.code }
        : { i, kind: 'ok', ok: text.includes(`agent${i}\n`) && text.includes('exit code: 0'), text: text.slice(0, 300) };
    } catch (e) {
      return { i, kind: 'exception', text: String(e) };
    }
  }));
  return { elapsedMs: Date.now() - started, results };
}

// the stdio bridge of the runnable jar, started by the SDK's stdio transport as a desktop client would
async function stdio(java) {
  const client = new Client({ name: 'execgate-it-stdio', version: '1.0.0' });
  const transport = new StdioClientTransport({ command: java, args: ['-jar', jar, 'mcp-stdio', '--url', url],
    env: { ...process.env, EXECGATE_API_KEY: key }, stderr: 'inherit' });
  await client.connect(transport);
  const out = { server: client.getServerVersion() };
  out.tools = (await client.listTools()).tools.map(t => t.name);
  const progress = [];
  out.run = await client.callTool({ name: 'run_code', arguments: { language: 'sh', code: 'echo via stdio; sleep 0.3; exit 4' } },
    undefined, { onprogress: p => progress.push(p.message), timeout: 60000 });
  out.progress = progress;
  out.unknown = await client.callTool({ name: 'run_code', arguments: { language: 'cobol', code: 'x' } });
  await client.close();
  return out;
}

const run = { basic, cancel, swarm: () => swarm(Number(agents)), stdio: () => stdio(agents) }[scenario];
console.log(JSON.stringify(await run()));
