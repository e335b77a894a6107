//! The inspector blocks run under: ZKsync OS's native meter, and when the node output is on
//! `console.log` and call traces.

use alloy_primitives::{Address, Log, U256};
use revm::{
    Inspector,
    context_interface::ContextTr,
    inspector::JournalExt,
    interpreter::{CallInputs, CallOutcome, CreateInputs, CreateOutcome, Interpreter},
};
use revm_inspectors::tracing::{
    TraceWriter, TraceWriterConfig, TracingInspector, TracingInspectorConfig,
    types::DecodedCallData,
};

use super::console::{self, CONSOLE_ADDRESS, ConsoleCollector};
use super::resources::NativeMeter;
use crate::output::OutputConfig;

/// The inspector blocks run under when the node output is on: `console.log` always, a call
/// tracer only when traces may be printed.
#[derive(Debug, Default)]
pub(super) struct OutputInspector {
    output: Option<OutputConfig>,
    console: ConsoleCollector,
    tracer: Option<TracingInspector>,
    /// ZKsync OS's native meter (off under Ethereum's rules).
    pub(super) meter: NativeMeter,
}

impl OutputInspector {
    pub(super) fn new(output: Option<OutputConfig>, meter: bool) -> Self {
        let tracer = output.filter(|o| o.any_traces()).map(|_| {
            TracingInspector::new(TracingInspectorConfig::default_parity().set_record_logs(true))
        });
        Self {
            output,
            console: ConsoleCollector::default(),
            tracer,
            meter: NativeMeter::new(meter),
        }
    }

    /// Whether txs must run inspected (output recorded, or native metered).
    pub(super) fn needed(&self) -> bool {
        self.output.is_some() || self.meter.on
    }

    /// The last tx's console lines and (if wanted for it) its rendered trace; resets both.
    pub(super) fn take(&mut self, success: bool) -> (Vec<String>, Option<String>) {
        let console = std::mem::take(&mut self.console.lines);
        let wanted = self.output.is_some_and(|o| o.trace_of(success));
        let trace = self.tracer.as_mut().and_then(|tracer| {
            let trace = wanted.then(|| render_trace(tracer));
            tracer.fuse();
            trace
        });
        (console, trace)
    }
}

/// The call tree as Foundry prints it, console calls and revert reasons decoded, no colors.
fn render_trace(tracer: &mut TracingInspector) -> String {
    for node in tracer.traces_mut().nodes_mut() {
        let trace = &mut node.trace;
        if trace.address == CONSOLE_ADDRESS && !trace.kind.is_any_create() {
            let line = console::decode(&trace.data);
            let decoded = trace.decoded();
            decoded.label = Some("console".into());
            decoded.call_data = Some(DecodedCallData {
                signature: "log()".into(),
                args: vec![format!("{line:?}")],
            });
        } else if !trace.success && !trace.output.is_empty() {
            let reason = crate::output::revert_reason(&trace.output);
            trace.decoded().return_data = Some(reason);
        }
    }
    let config = TraceWriterConfig::new().color_choice(revm_inspectors::ColorChoice::Never);
    let mut writer = TraceWriter::with_config(Vec::<u8>::new(), config);
    match writer.write_arena(tracer.traces()) {
        Ok(()) => String::from_utf8_lossy(&writer.into_writer())
            .trim_end()
            .to_string(),
        Err(err) => format!("(trace unavailable: {err})"),
    }
}

impl<CTX> Inspector<CTX> for OutputInspector
where
    CTX: ContextTr<Journal: JournalExt>,
{
    fn initialize_interp(&mut self, interp: &mut Interpreter, context: &mut CTX) {
        if let Some(tracer) = &mut self.tracer {
            tracer.initialize_interp(interp, context);
        }
    }

    fn step(&mut self, interp: &mut Interpreter, context: &mut CTX) {
        if self.meter.on {
            self.meter.step(interp);
        }
        if let Some(tracer) = &mut self.tracer {
            tracer.step(interp, context);
        }
    }

    fn step_end(&mut self, interp: &mut Interpreter, context: &mut CTX) {
        if let Some(tracer) = &mut self.tracer {
            tracer.step_end(interp, context);
        }
    }

    fn log(&mut self, context: &mut CTX, log: Log) {
        if self.meter.on {
            self.meter.log(&log);
        }
        if let Some(tracer) = &mut self.tracer {
            Inspector::<CTX>::log(tracer, context, log);
        }
    }

    fn log_full(&mut self, interp: &mut Interpreter, context: &mut CTX, log: Log) {
        if self.meter.on {
            self.meter.log(&log);
        }
        if let Some(tracer) = &mut self.tracer {
            tracer.log_full(interp, context, log);
        }
    }

    fn call(&mut self, context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        if self.meter.on {
            let input = inputs.input.bytes(context);
            self.meter
                .call(inputs, &input, super::resources::modexp_gas);
        }
        self.console.call(context, inputs);
        self.tracer
            .as_mut()
            .and_then(|tracer| tracer.call(context, inputs))
    }

    fn call_end(&mut self, context: &mut CTX, inputs: &CallInputs, outcome: &mut CallOutcome) {
        if let Some(tracer) = &mut self.tracer {
            tracer.call_end(context, inputs, outcome);
        }
    }

    fn create(&mut self, context: &mut CTX, inputs: &mut CreateInputs) -> Option<CreateOutcome> {
        self.tracer
            .as_mut()
            .and_then(|tracer| tracer.create(context, inputs))
    }

    fn create_end(
        &mut self,
        context: &mut CTX,
        inputs: &CreateInputs,
        outcome: &mut CreateOutcome,
    ) {
        if let Some(tracer) = &mut self.tracer {
            tracer.create_end(context, inputs, outcome);
        }
    }

    fn selfdestruct(&mut self, contract: Address, target: Address, value: U256) {
        if let Some(tracer) = &mut self.tracer {
            Inspector::<CTX>::selfdestruct(tracer, contract, target, value);
        }
    }
}
