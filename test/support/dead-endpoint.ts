import { createServer, type Server, type Socket } from 'node:net';

export interface DeadEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * An endpoint that is down: it holds its port (so no other test's server can take it, which a
 * closed "free" port does not guarantee under parallel suites) and resets every connection.
 */
export async function deadEndpoint(): Promise<DeadEndpoint> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
