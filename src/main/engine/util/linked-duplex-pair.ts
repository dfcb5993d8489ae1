/**
 * node:stream's duplexPair, except that a side destroyed before it ended
 * cleanly destroys the other side too. Node 22's pair does not pass a
 * destroy on: the other side waits forever for an end that never comes, and
 * a TLS socket or HTTP server connection on it leaks with all its buffers
 * (the virtual API kept one TLS connection per request of the in-process
 * client, and one per tunnelled connection that ended in an error).
 */
import { duplexPair, type Duplex } from 'node:stream';

export function linkedDuplexPair(): [Duplex, Duplex] {
  const [a, b] = duplexPair();
  destroyPeerOnAbort(a, b);
  destroyPeerOnAbort(b, a);
  return [a, b];
}

function destroyPeerOnAbort(side: Duplex, peer: Duplex): void {
  side.once('close', () => {
    // A clean close means both directions were ended and read to the end:
    // the peer then closes by itself, and destroying it could cut its last reads.
    const clean = side.readableEnded && side.writableFinished && !side.errored;
    if (!clean && !peer.destroyed) peer.destroy();
  });
}
