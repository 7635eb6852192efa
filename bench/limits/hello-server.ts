// The limit of HTTP on this machine: a Bun.serve that answers every request at once.
const server = Bun.serve({ port: Number(process.env.PORT), hostname: "127.0.0.1", fetch: () => new Response("hello", { status: 202 }) });
console.log(`hello-world on :${server.port}`);
