// The origin allow-list is core's (the embedded MQTT broker applies the same one): re-exported here so the
// server's modules and its public `DEV_ALLOWED_ORIGINS` keep their import path.
export {
  createOriginPolicy,
  DEFAULT_ALLOWED_ORIGINS,
  DEV_ALLOWED_ORIGINS,
  type OriginPolicy,
} from '@handset/core/server';
