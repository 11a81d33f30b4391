export { ProcessList } from './ProcessList';
export { ProcessShow } from './ProcessShow';
export { ProcessDesigner } from './ProcessDesigner';
