import { hiddenAppendEntry, hiddenPaletteEntry, hiddenReplaceHeaderEntry, hiddenReplaceOption, type DesignerContext, type DesignerScope } from '../../../lib/bpmn/designer-subset';

/**
 * The designer offers only the supported subset: a palette, replace menu ('bpmn-replace') and
 * context pad provider that run after bpmn-js's own (a lower priority) and drop the entries
 * that make an element publishing refuses. What is hidden, and why, is lib/bpmn/designer-subset.ts
 * (tied to the compiler by its test); elements already in a diagram stay and the live lint marks them.
 */

// The small part of diagram-js's services and elements used here (bpmn-js has no types for them).
interface BusinessObject {
  $type: string;
  $parent?: BusinessObject;
  triggeredByEvent?: boolean;
  attachedToRef?: BusinessObject;
  sourceRef?: BusinessObject;
}
interface DiagramElement {
  type: string;
  businessObject?: BusinessObject;
  host?: DiagramElement;
  source?: DiagramElement;
}
type Entries = Record<string, unknown>;
type Updater = (entries: Entries) => Entries;
interface Palette {
  registerProvider(priority: number, provider: object): void;
}
interface PopupMenu {
  registerProvider(id: string, priority: number, provider: object): void;
}
interface ContextPad {
  registerProvider(priority: number, provider: object): void;
}

/** Below bpmn-js's providers (1000): they make the entries first, this filters them. */
const PRIORITY = 500;

const SUB_PROCESSES = ['bpmn:SubProcess', 'bpmn:Transaction', 'bpmn:AdHocSubProcess'];

function scopeOf(bo: BusinessObject | undefined): DesignerScope {
  const parent = bo?.$parent;
  if (!parent || !SUB_PROCESSES.includes(parent.$type)) return 'process';
  return parent.triggeredByEvent ? 'eventSubProcess' : 'subProcess';
}

function contextOf(element: DiagramElement): DesignerContext {
  const bo = element.businessObject;
  return {
    elementType: element.type,
    scope: scopeOf(bo),
    hostType: bo?.attachedToRef?.$type ?? element.host?.type,
    sourceType: bo?.sourceRef?.$type ?? element.source?.type,
  };
}

const without =
  (hide: (id: string) => boolean): Updater =>
  (entries) =>
    Object.fromEntries(Object.entries(entries).filter(([id]) => !hide(id)));

const keep: Updater = (entries) => entries;

class SubsetMenus {
  static $inject = ['palette', 'popupMenu', 'contextPad'];

  constructor(palette: Palette, popupMenu: PopupMenu, contextPad: ContextPad) {
    palette.registerProvider(PRIORITY, this);
    popupMenu.registerProvider('bpmn-replace', PRIORITY, this);
    contextPad.registerProvider(PRIORITY, this);
  }

  getPaletteEntries(): Updater {
    return without(hiddenPaletteEntry);
  }

  getPopupMenuEntries(target: DiagramElement | DiagramElement[]): Updater {
    if (Array.isArray(target)) return keep;
    const ctx = contextOf(target);
    return without((id) => hiddenReplaceOption(id, ctx));
  }

  getPopupMenuHeaderEntries(target: DiagramElement | DiagramElement[]): Updater {
    if (Array.isArray(target)) return keep;
    const ctx = contextOf(target);
    return without((id) => hiddenReplaceHeaderEntry(id, ctx));
  }

  getContextPadEntries(element: DiagramElement): Updater {
    const ctx = contextOf(element);
    return without((id) => hiddenAppendEntry(id, ctx));
  }
}

/** The bpmn-js module (additionalModules of the Modeler). */
export const subsetModule = { __init__: ['designerSubset'], designerSubset: ['type', SubsetMenus] };
