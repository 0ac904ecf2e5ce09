// jest: CSS imports (from @grafana/ui's dependencies) load as nothing; jsdom applies no styles anyway.
module.exports = {};
