import { forwardRef, useEffect, useImperativeHandle, useRef, type ReactNode } from 'react';
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ZeebePropertiesProviderModule } from 'bpmn-js-properties-panel';
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import lintingModule from '@camunda/linting/modeler';
import '@camunda/linting/assets/linting.css';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { useLocaleState } from 'react-admin';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './bpmn-states.css';
import { lintFieldError, translateModule } from './translate';
import { subsetModule } from './subset-module';
import { compileBpmn, type ProcessProblem as CompiledProblem } from '../../../lib/bpmn/compile';

export interface ProcessProblem {
  elementId: string;
  message: string;
  /** Set on a Camunda lint rule's report: its Chinese wording. */
  zh?: string;
}

/**
 * What the live lint found in the diagram as drawn now: the same checks publishing applies
 * (compileBpmn: the platform's subset and Camunda's lint rules), without the ones that need the
 * database (whether named users exist) or the forms.
 */
export interface LintResult {
  errors: CompiledProblem[];
  warnings: CompiledProblem[];
}

/** How long the diagram rests before it is linted again. */
const LINT_DELAY_MS = 300;

/** The element the side panel edits: the one selected, or the process when none is. */
export interface SelectedElement {
  id: string;
  type: string;
  name: string;
  isProcess: boolean;
}

/** A user task's zeebe:assignmentDefinition, as the pickers edit it. */
export interface Assignment {
  candidateGroups: string[];
  assignee: string | null;
}

export interface BpmnEditorHandle {
  getXml(): Promise<string>;
  showProblems(problems: ProcessProblem[]): void;
  assignmentOf(elementId: string): Assignment;
  setAssignment(elementId: string, change: Partial<Assignment>): void;
  /** A process-level zeebe:property, e.g. starterRoles (null when absent). */
  processProperty(name: string): string | null;
  setProcessProperty(name: string, value: string | null): void;
  /** Selects a lint problem's element and opens its field in the properties panel. */
  showLintProblem(problem: CompiledProblem): void;
}

// The small part of bpmn-js's services and moddle objects used here (bpmn-js has no types for them).
interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  get(name: string): unknown;
}
interface DiagramElement {
  id: string;
  type: string;
  businessObject: ModdleElement & { name?: string; processRef?: ModdleElement };
}
interface Modeling {
  updateModdleProperties(element: DiagramElement, target: ModdleElement, properties: Record<string, unknown>): void;
}
interface BpmnFactory {
  create(type: string, attrs?: Record<string, unknown>): ModdleElement;
}

const splitList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];

/** The diagram element that carries the process: the root, or a collaboration's first pool. */
function processElement(modeler: Modeler): { element: DiagramElement; process: ModdleElement } {
  const root = (modeler.get('canvas') as { getRootElement(): DiagramElement }).getRootElement();
  if (root.businessObject.$type !== 'bpmn:Collaboration') return { element: root, process: root.businessObject };
  const pool = (modeler.get('elementRegistry') as { filter(f: (e: DiagramElement) => boolean): DiagramElement[] }).filter((e) => e.type === 'bpmn:Participant')[0];
  return pool?.businessObject.processRef ? { element: pool, process: pool.businessObject.processRef } : { element: root, process: root.businessObject };
}

/**
 * The extension element of a type under a business object, made (through modeling commands, so
 * undo and the properties panel follow) when it is missing.
 */
function extensionOf(modeler: Modeler, element: DiagramElement, owner: ModdleElement, type: string): ModdleElement {
  const modeling = modeler.get('modeling') as Modeling;
  const factory = modeler.get('bpmnFactory') as BpmnFactory;
  let extensions = owner.get('extensionElements') as ModdleElement | undefined;
  if (!extensions) {
    extensions = factory.create('bpmn:ExtensionElements', { values: [] });
    extensions.$parent = owner;
    modeling.updateModdleProperties(element, owner, { extensionElements: extensions });
  }
  const values = extensions.get('values') as ModdleElement[];
  let found = values.find((v) => v.$type === type);
  if (!found) {
    found = factory.create(type, type === 'zeebe:Properties' ? { properties: [] } : {});
    found.$parent = extensions;
    modeling.updateModdleProperties(element, extensions, { values: [...values, found] });
  }
  return found;
}

const findExtension = (owner: ModdleElement, type: string) => ((owner.get('extensionElements') as ModdleElement | undefined)?.get('values') as ModdleElement[] | undefined)?.find((v) => v.$type === type);

export interface BpmnEditorProps {
  xml: string;
  /** Shown at the top of the properties column, above the zeebe properties panel. */
  aside?: ReactNode;
  onSelect?: (element: SelectedElement) => void;
  /** Any change of the diagram (an edit, undo, redo). */
  onChange?: () => void;
  onImportError?: (message: string) => void;
  /** The live lint's result, after the diagram opens and after every change. */
  onLint?: (result: LintResult) => void;
}

/** A problem as @camunda/linting's canvas and properties panel read a report. */
function lintingReport(p: CompiledProblem, category: 'error' | 'warn') {
  return { ...(p.lint ?? {}), id: p.elementId, message: p.zh ?? p.message, category, rule: p.rule ?? 'platform' };
}

/**
 * The process editor: bpmn-js Modeler with the Camunda 8 (zeebe) properties panel, so candidate
 * groups, task types, timers and FEEL conditions are edited as zeebe extension attributes —
 * the same file opens in Camunda Modeler. Validation problems from publishing are shown on the
 * elements they name. The handle reads and writes the few zeebe attributes the designer's own
 * pickers edit (assignment, process properties) through bpmn-js's modeling commands, so the
 * properties panel, undo and the saved XML all see the same change.
 */
export const BpmnEditor = forwardRef<BpmnEditorHandle, BpmnEditorProps>(function BpmnEditor({ xml, aside, onSelect, onChange, onImportError, onLint }, ref) {
  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const modelerRef = useRef<Modeler | null>(null);
  const problemIds = useRef<string[]>([]);
  const [locale] = useLocaleState();
  // The latest callbacks, read by the modeler's listeners (made once per diagram).
  const listeners = useRef({ onSelect, onChange, onImportError, onLint });
  listeners.current = { onSelect, onChange, onImportError, onLint };

  useEffect(() => {
    if (!canvasRef.current || !panelRef.current) return;
    const modeler = new Modeler({
      container: canvasRef.current,
      propertiesPanel: { parent: panelRef.current },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ZeebePropertiesProviderModule, ZeebeBehaviorsModule, lintingModule, subsetModule, translateModule(locale)],
      moddleExtensions: { zeebe: zeebeModdle },
      linting: { active: true },
    });
    modelerRef.current = modeler;
    // Lint the diagram as saved (what publishing would receive), once edits rest; a newer run
    // supersedes an older one still under way.
    let lintTimer: ReturnType<typeof setTimeout> | undefined;
    let lintRun = 0;
    const lint = () => {
      clearTimeout(lintTimer);
      lintTimer = setTimeout(() => {
        const run = ++lintRun;
        void modeler
          .saveXML()
          .then(({ xml: saved }) => compileBpmn(saved ?? ''))
          .then((compiled) => {
            if (run !== lintRun || modelerRef.current !== modeler) return;
            const errors = compiled.ok ? [] : compiled.problems;
            (modeler.get('linting') as { setErrors(reports: object[]): void }).setErrors([...errors.map((p) => lintingReport(p, 'error')), ...compiled.warnings.map((p) => lintingReport(p, 'warn'))]);
            listeners.current.onLint?.({ errors, warnings: compiled.warnings });
          })
          .catch((err: unknown) => console.error('could not lint the diagram', err));
      }, LINT_DELAY_MS);
    };
    const describe = (element: DiagramElement | undefined): SelectedElement => {
      const target = element ?? processElement(modeler).element;
      const isProcess = ['bpmn:Process', 'bpmn:Participant', 'bpmn:Collaboration'].includes(target.type);
      const bo = isProcess ? processElement(modeler).process : target.businessObject;
      return { id: (bo.get('id') as string) ?? target.id, type: isProcess ? 'bpmn:Process' : target.type, name: (bo.get('name') as string | undefined) ?? '', isProcess };
    };
    const events = modeler.get('eventBus') as { on(event: string, cb: (e: { newSelection?: DiagramElement[] }) => void): void };
    events.on('selection.changed', (e) => {
      // While a diagram is (re)imported the canvas's root is a placeholder with no process yet.
      const root = (modeler.get('canvas') as { getRootElement(): DiagramElement }).getRootElement();
      if (!root.businessObject) return;
      listeners.current.onSelect?.(describe(e.newSelection?.length === 1 ? e.newSelection[0] : undefined));
    });
    // The properties panel's field errors in the interface's language, before the panel draws them.
    (modeler.get('eventBus') as { on(event: string, priority: number, cb: (e: { errors: Record<string, string> }) => void): void }).on('propertiesPanel.setErrors', 2000, (e) => {
      for (const id of Object.keys(e.errors)) e.errors[id] = lintFieldError(e.errors[id], locale);
    });
    // Edits in the properties panel, undo and redo change what the side panel shows.
    events.on('commandStack.changed', () => {
      listeners.current.onChange?.();
      lint();
    });
    modeler
      .importXML(xml)
      .then(() => {
        listeners.current.onSelect?.(describe(undefined));
        // Fit the diagram, then shift it right of the palette, which floats over the canvas's left edge.
        const canvas = modeler.get('canvas') as { zoom(v: string): void; viewbox(box?: object): { x: number; y: number; width: number; height: number; scale: number } };
        canvas.zoom('fit-viewport');
        const box = canvas.viewbox();
        canvas.viewbox({ x: box.x - 150 / box.scale, y: box.y - 20 / box.scale, width: box.width + 190 / box.scale, height: box.height + 40 / box.scale });
        lint();
      })
      .catch((err: unknown) => {
        console.error('could not open the diagram', err);
        listeners.current.onImportError?.((err as Error).message);
      });
    return () => {
      clearTimeout(lintTimer);
      modeler.destroy();
      modelerRef.current = null;
    };
  }, [xml, locale]);

  useImperativeHandle(ref, () => ({
    async getXml() {
      const { xml: out } = await modelerRef.current!.saveXML({ format: true });
      return out ?? '';
    },
    showProblems(problems) {
      const modeler = modelerRef.current;
      if (!modeler) return;
      const canvas = modeler.get('canvas') as { addMarker(id: string, m: string): void; removeMarker(id: string, m: string): void };
      const overlays = modeler.get('overlays') as { add(id: string, type: string, o: object): void; remove(f: object): void };
      const registry = modeler.get('elementRegistry') as { get(id: string): unknown };
      for (const id of problemIds.current) if (registry.get(id)) canvas.removeMarker(id, 'has-problem');
      overlays.remove({ type: 'problem' });
      problemIds.current = [];
      for (const p of problems) {
        if (!registry.get(p.elementId)) continue;
        canvas.addMarker(p.elementId, 'has-problem');
        problemIds.current.push(p.elementId);
        const html = document.createElement('div');
        html.className = 'bpmn-problem';
        html.textContent = p.message;
        overlays.add(p.elementId, 'problem', { position: { top: -28, left: 0 }, html });
      }
    },
    assignmentOf(elementId) {
      const element = (modelerRef.current?.get('elementRegistry') as { get(id: string): DiagramElement | undefined } | undefined)?.get(elementId);
      const definition = element ? findExtension(element.businessObject, 'zeebe:AssignmentDefinition') : undefined;
      return { candidateGroups: splitList(definition?.get('candidateGroups')), assignee: (definition?.get('assignee') as string | undefined) || null };
    },
    setAssignment(elementId, change) {
      const modeler = modelerRef.current;
      const element = (modeler?.get('elementRegistry') as { get(id: string): DiagramElement | undefined } | undefined)?.get(elementId);
      if (!modeler || !element) return;
      const definition = extensionOf(modeler, element, element.businessObject, 'zeebe:AssignmentDefinition');
      const attrs: Record<string, unknown> = {};
      // An empty value removes the attribute, as the properties panel does.
      if (change.candidateGroups) attrs.candidateGroups = change.candidateGroups.length ? change.candidateGroups.join(',') : undefined;
      if (change.assignee !== undefined) attrs.assignee = change.assignee || undefined;
      (modeler.get('modeling') as Modeling).updateModdleProperties(element, definition, attrs);
    },
    showLintProblem(problem) {
      (modelerRef.current?.get('linting') as { showError(report: object): void } | undefined)?.showError(lintingReport(problem, 'error'));
    },
    processProperty(name) {
      const modeler = modelerRef.current;
      if (!modeler) return null;
      const properties = findExtension(processElement(modeler).process, 'zeebe:Properties');
      const property = (properties?.get('properties') as ModdleElement[] | undefined)?.find((p) => p.get('name') === name);
      return (property?.get('value') as string | undefined) ?? null;
    },
    setProcessProperty(name, value) {
      const modeler = modelerRef.current;
      if (!modeler) return;
      const modeling = modeler.get('modeling') as Modeling;
      const { element, process } = processElement(modeler);
      const properties = extensionOf(modeler, element, process, 'zeebe:Properties');
      const list = (properties.get('properties') as ModdleElement[]) ?? [];
      const existing = list.find((p) => p.get('name') === name);
      if (!value) {
        if (existing) modeling.updateModdleProperties(element, properties, { properties: list.filter((p) => p !== existing) });
      } else if (existing) {
        modeling.updateModdleProperties(element, existing, { value });
      } else {
        const property = (modeler.get('bpmnFactory') as BpmnFactory).create('zeebe:Property', { name, value });
        property.$parent = properties;
        modeling.updateModdleProperties(element, properties, { properties: [...list, property] });
      }
    },
  }));

  return (
    <div className="bpmn-editor">
      <div ref={canvasRef} className="bpmn-editor-canvas" data-testid="bpmn-modeler" />
      <div className="bpmn-editor-properties">
        {aside}
        <div ref={panelRef} />
      </div>
    </div>
  );
});
