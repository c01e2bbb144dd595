export * from './types.js';
export { openMysql, type MysqlOptions } from './mysql.js';
export { openEmbedded } from './embedded.js';
export { insertMany } from './bulk.js';
export { migrate, type Migrations, type Statement } from './migrate.js';
