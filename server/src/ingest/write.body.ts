import { MAX_BODY_BYTES } from '@zhuyun/protocol';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { INFLUX_VERSION, INFLUX_VERSION_HEADER } from './influx-compat.js';

/**
 * The body parser of `POST /write`, with its own error answers: the body is text whatever the
 * Content-Type (Telegraf sends none or text/plain), gzip or deflate are undone, MAX_BODY_BYTES
 * counts after that. Errors come in InfluxDB's shape, not the API's: `{"error": "..."}`, and
 * 413 is InfluxDB's `Request Entity Too Large`. Mount on `/write` only, before the routes.
 */
export function writeBodyParser(): [RequestHandler, ErrorRequestHandler] {
  const onError: ErrorRequestHandler = (err: { status?: number; type?: string; message?: string }, req, res, next) => {
    if (typeof err?.status !== 'number') return next(err);
    const status = err.status;
    let message = err.message ?? 'bad request';
    if (status === 413) message = 'Request Entity Too Large';
    // zlib's own words ("incorrect header check") say little without the context.
    else if (!err.type && req.headers['content-encoding']) message = `${req.headers['content-encoding']}: ${message}`;
    res.setHeader(INFLUX_VERSION_HEADER, INFLUX_VERSION);
    res.status(status).json({ error: message });
  };
  return [express.text({ type: () => true, limit: MAX_BODY_BYTES, inflate: true }), onError];
}

/**
 * The body parser of `POST /query`: Telegraf sends `CREATE DATABASE` as a form
 * (`application/x-www-form-urlencoded`, `q=...`), as `curl --data-urlencode` does. Without it
 * Telegraf would see its CREATE DATABASE fail and send it again before every batch.
 */
export function queryBodyParser(): [RequestHandler, ErrorRequestHandler] {
  const onError: ErrorRequestHandler = (err: { status?: number; message?: string }, _req, res, next) => {
    if (typeof err?.status !== 'number') return next(err);
    res.setHeader(INFLUX_VERSION_HEADER, INFLUX_VERSION);
    res.status(err.status).json({ error: err.message ?? 'bad request' });
  };
  return [express.urlencoded({ extended: false, limit: '64kb' }), onError];
}
