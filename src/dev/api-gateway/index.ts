export { startApis, MAX_BODY_BYTES, type StartApisOptions, type RunningApis, type ServedApi } from './server.js';
export { readRestApis, type RestApiModel } from './rest-model.js';
export { readHttpApis, type HttpApiModel } from './http.js';
export { createRestApi } from './rest.js';
export { createHttpApi } from './http.js';
