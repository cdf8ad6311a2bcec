import type { FastifyReply } from 'fastify';
import type { QrImage } from './codes.service.ts';

/** Answers with the image; an SVG gets a policy that runs nothing it carries. */
export function sendQrImage(reply: FastifyReply, img: QrImage) {
  reply.header('content-type', img.type);
  reply.header('cache-control', 'private, max-age=300');
  reply.header('content-disposition', `inline; filename="${img.name.replace(/[^\w.-]/g, '_')}"`);
  if (img.type === 'image/svg+xml')
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  return reply.send(img.body);
}
